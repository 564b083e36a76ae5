warning(String(String([1, 'a'], '%s')))
site { }
