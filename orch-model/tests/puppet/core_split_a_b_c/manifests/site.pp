warning(String(split('a,b,c', ',')))
site { }
