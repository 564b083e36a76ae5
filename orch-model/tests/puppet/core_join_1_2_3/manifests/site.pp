warning(String(join([1, [2, 3]], ',')))
site { }
