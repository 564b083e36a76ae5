warning(String({'a' => 1} == {'A' => 1}))
site { }
