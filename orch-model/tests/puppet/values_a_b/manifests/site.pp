warning(String('a' < 'B'))
site { }
