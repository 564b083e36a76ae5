warning(sprintf('%d', 3.7))
site { }
