warning(String(7.0 / 2))
site { }
