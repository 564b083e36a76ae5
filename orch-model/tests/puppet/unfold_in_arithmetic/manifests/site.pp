warning(String(2 ** 3))
site { }
