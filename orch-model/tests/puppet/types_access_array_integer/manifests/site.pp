$x = Array[1]
site { }
