warning(String(split('a,b,,', ',')))
site { }
