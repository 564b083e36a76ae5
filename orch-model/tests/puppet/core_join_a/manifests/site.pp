warning(String(join('a', ',')))
site { }
