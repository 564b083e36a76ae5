warning(String('abc' in 'xabcx'))
site { }
