warning(sprintf('%d%%', '7'))
site { }
