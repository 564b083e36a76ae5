class other::thing() { }
define other::extra() { }
Other::Extra produces Cap { }
