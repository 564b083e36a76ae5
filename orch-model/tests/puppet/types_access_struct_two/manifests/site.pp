$x = Struct[{'a' => Integer}, 1]
site { }
