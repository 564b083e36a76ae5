warning(String(type(1)))
site { }
