// The logout page sends its form on to the provider at once, so the provider's session ends too.
// Without JavaScript the page's button does the same.
document.getElementById("end-session").submit();
