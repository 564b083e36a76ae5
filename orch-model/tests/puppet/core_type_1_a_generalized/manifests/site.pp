warning(String(type([1, 'a'], 'generalized')))
site { }
