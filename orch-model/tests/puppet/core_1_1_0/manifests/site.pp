warning(String(1 == 1.0))
site { }
