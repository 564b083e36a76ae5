$v = merge({ 'a' => 1 }, ['b'])
site { }
