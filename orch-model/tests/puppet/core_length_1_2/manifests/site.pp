warning(String(length([1, 2])))
site { }
