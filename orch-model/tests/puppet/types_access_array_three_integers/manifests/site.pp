$x = Array[1, 2, 3]
site { }
