warning(String(Integer[1, 3] > Integer[2, 2]))
site { }
