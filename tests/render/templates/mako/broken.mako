<html>
<body>
<ul>
% for item in items:
<li>${item}</li>
</ul>
</body>
</html>
