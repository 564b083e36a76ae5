warning(String({'a' => 1}.any |$k, $v| { $v == 1 }))
site { }
