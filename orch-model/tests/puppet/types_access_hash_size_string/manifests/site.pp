$x = Hash[String, Integer, 'a']
site { }
