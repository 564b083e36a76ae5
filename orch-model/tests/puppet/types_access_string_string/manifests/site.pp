$x = String['a']
site { }
