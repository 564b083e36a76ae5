warning(String('a' == 'A'))
site { }
