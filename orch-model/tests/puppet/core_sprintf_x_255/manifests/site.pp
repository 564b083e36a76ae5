warning(sprintf('%x', -255))
site { }
