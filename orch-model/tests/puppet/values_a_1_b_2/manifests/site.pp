warning(String({'a' => 1} + [['b', 2]]))
site { }
