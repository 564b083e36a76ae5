warning(String('B' in ['a', 'b']))
site { }
