warning(String({'a' => 1, 'b' => 2}.slice(1)))
site { }
