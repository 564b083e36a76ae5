# Known types of every kind resolve; the first unknown reference is an error where it is.
$known = [Integer, Notify, Class, Resource, Node, Cap, M::Prod, Other::Port, Array[Other::Port]]
$x = 3 ? { Other::Port => 'port', default => 'other' }
$t = Array[Nope::Thing]
site { }
