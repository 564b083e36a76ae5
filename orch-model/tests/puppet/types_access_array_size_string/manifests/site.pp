$x = Array[Integer, 'a']
site { }
