def forward(self, x):
    y = torch.conv2d(x, self.w8, self.b8, [1, 1], [1, 1])
    y = torch.batch_norm(y, None, None, self.mean, self.var, False, 0.1, 1e-5, False)
    y = torch.relu(y)
    y = torch.max_pool2d(y, [2, 2], [2, 2])
    y = torch.adaptive_avg_pool2d(y, [2, 2])
    y = torch.flatten(y, 1)
    return torch.linear(y, self.fc, self.fcb)
