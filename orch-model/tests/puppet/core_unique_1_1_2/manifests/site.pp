warning(String(unique([1, 1, 2])))
site { }
