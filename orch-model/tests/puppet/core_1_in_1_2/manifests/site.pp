warning(String(1 in [1, 2]))
site { }
