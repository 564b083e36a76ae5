$x = Hash[String]['x']
site { }
