def forward(self, x):
    y = torch._convolution(x, self.w8, self.b8, [1, 1], [0, 0], [1, 1], False, [0, 0], 1, False, False, True, True)
    n = y.size(1)
    y = torch.hardtanh(y, 0.0, float(n))
    return torch.flatten(y, 1)
