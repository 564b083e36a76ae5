$a = Resource[1, 'a']
site { }
