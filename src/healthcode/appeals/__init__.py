"""Appeals: a citizen disputes their colour; officials answer by a deadline, upholding it with a
reason or correcting it by four eyes; the answer reaches the citizen."""
