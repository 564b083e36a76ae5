warning(sprintf('%#x %#o %b %X', 255, 8, 5, 255))
site { }
