$pw = lookup('db::password')
fail("cannot use ${pw} or ${[$pw]} or ${ {'k' => $pw} }")
