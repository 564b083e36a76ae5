warning(String(String(1.0)))
site { }
