def forward(self, x):
    y = torch.conv2d(x, self.w8, self.b8, [2, 2], [1, 1])
    a = torch.avg_pool2d(y, [2, 2], [2, 2])
    b = torch.max_pool2d(y, [2, 2], [2, 2])
    z = torch.cat([a + b, b], 1)
    z = torch.hardtanh(z, 0.0, 6.0)
    z = torch.adaptive_avg_pool2d(z, [1, 1])
    return torch.flatten(z, 1)
