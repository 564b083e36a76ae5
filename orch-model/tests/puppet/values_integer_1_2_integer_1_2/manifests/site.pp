warning(String(Integer[1, 2] == Integer[1, 2]))
site { }
