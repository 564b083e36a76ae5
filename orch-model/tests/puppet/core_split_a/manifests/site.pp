warning(String(split(',a', ',')))
site { }
