warning(String(join([1, 2], '-')))
site { }
