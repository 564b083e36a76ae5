warning(String(10 / 3.0))
site { }
