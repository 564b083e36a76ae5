warning(String(slice([1, 2], 0)))
site { }
