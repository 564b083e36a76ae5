warning(String(split(1, ',')))
site { }
