warning(String(keys([1])))
site { }
