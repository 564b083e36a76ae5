warning(String(dig({'a' => {'b' => 1}}, 'a', 'b')))
site { }
