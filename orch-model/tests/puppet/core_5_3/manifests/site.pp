warning(String(5 % 3))
site { }
