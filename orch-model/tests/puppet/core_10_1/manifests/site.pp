warning(String('10' + 1))
site { }
